import { InputDialog } from '@jupyterlab/apputils';
import React from 'react';

import { shortFolder } from '../format';
import { RunsModel } from '../model';

const FOLLOW = 'follow';
const OTHER = 'other';

/** What the picker's tooltip says: the folder whole and the store it has. */
function describe(folder: string, store: string): string {
  const where = `the folder /${folder}`;
  return store ? `Store: ${store} (${where})` : `Store of ${where}`;
}

/**
 * Which store the sidebar shows: by default the active notebook's (the store its kernel
 * writes to), else one picked by hand: the server root's or another folder's.
 */
export function StorePicker(props: { model: RunsModel }): React.ReactElement {
  const { model } = props;
  const { path, store } = model.state;
  const notebook = model.notebookPath;
  const options: { value: string; label: string }[] = [
    {
      value: FOLLOW,
      label:
        notebook === null
          ? 'Active notebook’s store'
          : `Active notebook’s: ${shortFolder(notebook)}`
    }
  ];
  if (model.pinned) {
    options.push({ value: `path:${path}`, label: shortFolder(path) });
  }
  if (!(model.pinned && path === '') && notebook !== '') {
    options.push({ value: 'path:', label: 'Server root: /' });
  }
  options.push({ value: OTHER, label: 'Other folder…' });

  const choose = async (value: string): Promise<void> => {
    if (value === FOLLOW) {
      await model.pickStore(null);
    } else if (value === OTHER) {
      const answer = await InputDialog.getText({
        title: 'Show the runs of another folder',
        label:
          'Folder, relative to the server root (its store is the one a kernel started there uses)',
        placeholder: 'projects/churn',
        text: path
      });
      if (answer.button.accept && answer.value !== null) {
        const folder = answer.value.trim().replace(/^\/+|\/+$/g, '');
        await model.pickStore(folder);
      }
    } else {
      await model.pickStore(value.slice('path:'.length));
    }
  };

  return (
    <select
      className="jp-mlops-store-picker"
      aria-label="Store shown"
      title={describe(path, store)}
      value={model.pinned ? `path:${path}` : FOLLOW}
      onChange={event => void choose(event.target.value)}
    >
      {options.map(option => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </select>
  );
}
