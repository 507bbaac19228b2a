import type { ImplementationTable } from './category-plugin';

/**
 * Implementations that core itself provides for every category (the renderer, the U-Net generator, the
 * losses). A plugin may add implementations of the same roles under other ids, but may not reuse these ids.
 * Roles appear here as their implementations land; a role missing everywhere is reported as not provided.
 */
export const CORE_IMPLEMENTATIONS: ImplementationTable = {};
