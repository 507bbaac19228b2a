/** What a Market-1501 file name says: `0002_c1s1_000451_03.jpg`. */
export interface MarketName {
  /** Person id as written: -1 for junk, 0 for distractors, else 1..1501. */
  readonly personId: number;
  /** Camera 1..6. */
  readonly camera: number;
  /** Video sequence of that camera. */
  readonly sequence: number;
  /** Frame number in the sequence. */
  readonly frame: number;
  /** Index of the detected box in that frame. */
  readonly box: number;
}

const NAME = /^(-1|\d{4})_c(\d)s(\d+)_(\d+)_(\d+)\.(jpe?g|png)$/i;

/** The naming pattern, for messages. */
export const MARKET_NAME_PATTERN = '<person id: 4 digits or -1>_c<camera>s<sequence>_<frame>_<box>.jpg';

/** Parses a Market-1501 image name; `null` when it does not follow the pattern. */
export function parseMarketName(fileName: string): MarketName | null {
  const m = NAME.exec(fileName);
  if (!m) return null;
  return {
    personId: Number(m[1]),
    camera: Number(m[2]),
    sequence: Number(m[3]),
    frame: Number(m[4]),
    box: Number(m[5]),
  };
}
