export * from './script.js';
export * from './http.js';
export * from './anthropic-server.js';
export * from './openai-server.js';
export * from './hermetic.js';
