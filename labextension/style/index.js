import './base.css';
import './charts.css';
import './reproduce.css';
import './datamodels.css';
