export * from './roles';
export * from './config-types';
export * from './category-plugin';
export { CORE_IMPLEMENTATIONS } from './core-implementations';
export * from './identity-recipe';
export * from './photo-subject';
export * from './texture-symmetry';
