import './base.css';
import './reproduce.css';
