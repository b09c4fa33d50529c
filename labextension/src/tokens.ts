import { Token } from '@lumino/coreutils';

import { MlopsApi } from './api';
import { RunsModel } from './model';

/** Command ids: every command of this extension is named `jupyter-mlops:*`. */
export namespace CommandIDs {
  export const open = 'jupyter-mlops:open';
  export const refresh = 'jupyter-mlops:refresh';
  export const openRun = 'jupyter-mlops:open-run';
  export const openSnapshot = 'jupyter-mlops:open-snapshot';
  export const compare = 'jupyter-mlops:compare';
  export const rerun = 'jupyter-mlops:rerun';
  export const deleteRuns = 'jupyter-mlops:delete';
  export const tag = 'jupyter-mlops:tag';
  export const trackCell = 'jupyter-mlops:track-cell';
  export const showLineage = 'jupyter-mlops:show-lineage';
}

/** Id of the sidebar widget (its tab is `li[data-id="jupyter-mlops-runs"]`). */
export const SIDEBAR_ID = 'jupyter-mlops-runs';

/** What the extension offers other extensions: the API client and the sidebar's model. */
export interface IMlopsRuns {
  readonly api: MlopsApi;
  readonly model: RunsModel;
}

export const IMlopsRuns = new Token<IMlopsRuns>(
  'jupyter-mlops:IMlopsRuns',
  'The jupyter-mlops API client and the runs sidebar model.'
);
