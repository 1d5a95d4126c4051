// `node --import <this file>`: registers the TypeScript source hooks (see ts-source-hooks.mjs).
import { register } from 'node:module';

register('./ts-source-hooks.mjs', import.meta.url);
