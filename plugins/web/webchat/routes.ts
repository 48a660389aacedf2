import type { Hono } from 'hono';
import {
  type StaticAsset,
  serveStaticAssets,
  sharedBrowserAsset,
  staticAsset,
} from '../../../core/http/static-assets.ts';

const own = (name: string) => staticAsset(name, import.meta.url);

/** The page talks to `/graphql` over fetch and WebSocket, nothing else (same-origin headers). */
const ASSETS: Record<string, StaticAsset> = {
  '/': own('index.html'),
  '/webchat/base.css': sharedBrowserAsset('base.css'),
  '/webchat/chat.css': own('chat.css'),
  '/webchat/messages.css': own('messages.css'),
  '/webchat/graphql-client.js': sharedBrowserAsset('graphql-client.js'),
  '/webchat/chat.js': own('chat.js'),
  '/webchat/status.js': own('status.js'),
  '/webchat/transcript.js': own('transcript.js'),
  '/webchat/message-text.js': own('message-text.js'),
  // The gateway's icon (a wrench on the brand colour), also linked by the operator console.
  '/favicon.svg': own('favicon.svg'),
  '/favicon.ico': own('favicon.ico'),
};

/** The web chat page: `GET /`, its styles and scripts, and the icon. */
export function mountWebchat(app: Hono): void {
  serveStaticAssets(app, ASSETS);
}
