// Compile-time check that the hand-written index.d.ts (the types of `import ... from 'retex'`) and
// registry/library.ts agree: the build fails when one changes without the other. Nothing runs here.
import type * as Declared from '../../index';
import * as Library from '../../registry/library';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;

// Error classes: users test them with instanceof and read their fields; retex constructs them.
type Classes = 'FileError' | 'ImageError' | 'ModelFileError' | 'MeshError' | 'ConfigError';
type Functions = Exclude<keyof typeof Declared & keyof typeof Library, Classes>;
export type SameErrors = Assert<Same<{ [K in Classes]: InstanceType<(typeof Library)[K]> extends InstanceType<(typeof Declared)[K]> ? true : false }[Classes], true>>;

// Functions: the code takes every argument the declarations allow and returns what they promise.
export const declaredFromCode: Pick<typeof Declared, Functions> = Library;

// The same names on both sides.
export type SameNames = Assert<Same<keyof typeof Declared, keyof typeof Library>>;
export type SameOptions = Assert<Same<Declared.RunTextureOptions, Library.RunTextureOptions>>;
