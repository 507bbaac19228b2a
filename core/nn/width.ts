/** Channels of a layer with `base` channels at width multiplier `width` (rounded, at least 1). */
export function scaledChannels(base: number, width: number): number {
  return Math.max(1, Math.round(base * width));
}
