/**
 * A stand-in for the Jupyter server behind `ServerConnection`: records each request and
 * answers from a handler, so the API client is tested on real Request/Response objects.
 */
import { ServerConnection } from '@jupyterlab/services';

import { MlopsApi } from '../src/api';

export interface IRecorded {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

export type Handler = (request: IRecorded) => Response | Promise<Response>;

export const BASE_URL = 'http://localhost:8888/lab%20base/';

export function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { 'Content-Type': 'application/json' }
  });
}

export function fakeApi(handler: Handler): {
  api: MlopsApi;
  requests: IRecorded[];
} {
  const requests: IRecorded[] = [];
  const fetch = async (input: RequestInfo | URL): Promise<Response> => {
    const request = input as Request;
    const url = new URL(request.url);
    // ServerConnection appends a bare timestamp to GET URLs to defeat caches
    for (const key of [...url.searchParams.keys()].filter(k =>
      /^\d+$/.test(k)
    )) {
      url.searchParams.delete(key);
    }
    const recorded: IRecorded = {
      method: request.method,
      url,
      headers: request.headers,
      body: await request.text()
    };
    requests.push(recorded);
    return handler(recorded);
  };
  const settings = ServerConnection.makeSettings({
    baseUrl: BASE_URL,
    wsUrl: 'ws://localhost:8888/lab%20base/',
    token: 'secret-token',
    fetch,
    Request,
    Headers
  });
  return { api: new MlopsApi(settings), requests };
}
