export * from './atomic-write';
export * from './file-io-handler';
export * from './image-decode';
export * from './image-error';
export * from './image-io';
export * from './model-file-error';
export * from './model-loading';
export * from './weights-file';
