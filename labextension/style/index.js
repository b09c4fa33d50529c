import './theme.css';
import './base.css';
import './states.css';
