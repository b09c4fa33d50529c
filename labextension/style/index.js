import './theme.css';
import './base.css';
import './charts.css';
import './reproduce.css';
import './datamodels.css';
import './table.css';
import './rerun.css';
import './states.css';
