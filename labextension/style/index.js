import './base.css';
import './datamodels.css';
