import type { Hono } from 'hono';
import { type StaticAsset, serveStaticAssets, sharedBrowserAsset, staticAsset } from '../http/static-assets.ts';

const own = (name: string) => staticAsset(name, import.meta.url);
const page = own('console.html');

/** The console's page and its assets: served from here, nothing from another origin. */
const ASSETS: Record<string, StaticAsset> = {
  '/operator': page,
  '/operator/': page,
  '/operator/base.css': sharedBrowserAsset('base.css'),
  '/operator/console.css': own('console.css'),
  '/operator/workspace.css': own('workspace.css'),
  '/operator/conversation.css': own('conversation.css'),
  '/operator/timeline.css': own('timeline.css'),
  '/operator/graphql-client.js': sharedBrowserAsset('graphql-client.js'),
  '/operator/console.js': own('console.js'),
  '/operator/dom.js': own('dom.js'),
  '/operator/queue.js': own('queue.js'),
  '/operator/seen.js': own('seen.js'),
  '/operator/waiting.js': own('waiting.js'),
  '/operator/conversation.js': own('conversation.js'),
  '/operator/timeline.js': own('timeline.js'),
};

/**
 * The operator console (`GET /operator`): people answer conversations handed off to them and read any
 * conversation's timeline. The page holds no secret; every call it makes needs the admin token.
 */
export function mountOperatorConsole(app: Hono): void {
  serveStaticAssets(app, ASSETS);
}
