import { LabIcon } from '@jupyterlab/ui-components';

const runsSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16">
  <g class="jp-icon3" fill="#616161">
    <path d="M3 3h2v16h16v2H3z"/>
    <path d="M7 15.6l4.2-5.2 3.3 2.8L19.3 7l1.5 1.3-6 7.5-3.3-2.8-3 3.7z"/>
    <circle cx="11.2" cy="10.4" r="1.3"/>
    <circle cx="14.5" cy="13.2" r="1.3"/>
  </g>
</svg>`;

export const runsIcon = new LabIcon({
  name: 'jupyter-mlops:runs',
  svgstr: runsSvg
});
