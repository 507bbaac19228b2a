import type { tf } from '../backend/tf';
import type { CropWindow } from '../photo/crop-window';
import type { RetexConfig } from './config-types';

/** One subject found in a whole photo. */
export interface SubjectDetection {
  /** [x, y, width, height] in pixels of the photo. */
  readonly box: readonly [number, number, number, number];
  /** Detector confidence in [0,1]. */
  readonly score: number;
}

/** A loaded detector of the category's subject (owns its model). */
export interface SubjectDetector {
  /**
   * The category's subjects in a photo, best first.
   * @param image float32 [H,W,3] in [-1,1] (not disposed)
   */
  detect(image: tf.Tensor3D): Promise<SubjectDetection[]>;
  dispose(): void;
}

/** What the user may tell `retex run` about a photo besides the picture (passed on to the plugin). */
export interface PhotoHints {
  /** Which way the subject faces in the photo, in the plugin's words (e.g. `left`, `right` for birds). */
  readonly heading?: string;
  /** A keypoint file in the category data set's format (e.g. CUB's part locations), photo pixels. */
  readonly keypointsFile?: string;
}

/**
 * How `retex run` finds the category's subject in any photo and frames it the way the category's data set
 * does, and which mesh predictor fits such crops without annotations.
 */
export interface PhotoSubject {
  /** The subject in messages: `bird`, `person`. */
  readonly noun: string;
  /** Id of the mesh predictor that fits a crop with no annotations (e.g. `photo`, `keypoint-fit`). */
  readonly predictor: string;
  /** Loads the subject detector. */
  loadDetector(config: RetexConfig): Promise<SubjectDetector>;
  /**
   * The data set's framing of a subject box: the crop window (photo pixels; it may reach outside the photo)
   * whose aspect ratio is `size`'s.
   * @param size crop [height, width]
   * @param photoSize the photo's [height, width]
   */
  frame(box: readonly [number, number, number, number], size: readonly [number, number], photoSize: readonly [number, number]): CropWindow;
  /**
   * True when the photo is itself a crop framed the way the data set's are (e.g. a Market-1501 image): it
   * is then taken whole, whatever the detector would find (small crops defeat detectors), and the mesh
   * predictor refuses it if it shows no subject. Absent: never.
   * @param detect the detector's finds, best first (run only when called; its result is reused)
   */
  isFramedCrop?(photoSize: readonly [number, number], size: readonly [number, number], detect: () => Promise<readonly SubjectDetection[]>): Promise<boolean>;
  /** Value outside the photo where a crop window reaches past it, in [-1,1] (the data set's fill). */
  readonly fill: number;
  /**
   * The mesh predictor's annotations from the user's hints, in the crop's terms.
   * @throws naming the hint and what is wrong with it (unknown heading, malformed keypoint file)
   */
  annotations?(hints: PhotoHints, window: CropWindow, size: readonly [number, number]): Promise<Record<string, unknown>>;
}
