import './theme.css';
import './base.css';
