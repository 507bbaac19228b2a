export * from './mesh';
export * from './mesh-predictor';
export * from './texture-generator';
export * from './renderer';
export * from './identity-network';
export * from './dataset';
export * from './loss';
export * from './metric';
