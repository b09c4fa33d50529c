import './base.css';
import './reproduce.css';
import './datamodels.css';
