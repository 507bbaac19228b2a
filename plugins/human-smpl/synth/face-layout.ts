/**
 * Where the painted face features sit on the built-in body's head, in the head joint's rest frame (metres;
 * x to the person's left, y up, z forward, origin at the `head` joint, about 7 cm above the chin and 14 cm
 * below the crown). Proportions of an average adult face: eyes half-way down the head, brows 1.5 cm above,
 * nose base and mouth at the thirds between eyes and chin, hairline about 6 cm above the eyes.
 */
export const FACE_LAYOUT = {
  eyeY: 0.018,
  eyeHalfWidth: 0.0125,
  eyeHalfHeight: 0.0062,
  irisRadius: 0.0062,
  pupilRadius: 0.0023,
  /** Brow centre line above the eye centre, and its half thickness. */
  browRise: 0.015,
  browHalfThickness: 0.0022,
  noseY: -0.02,
  mouthY: -0.041,
  mouthHalfWidth: 0.021,
  upperLip: 0.0042,
  lowerLip: 0.0056,
  /** Front hairline height. */
  hairline: 0.078,
  /** Height of a cap's lower edge at the front and at the back. */
  capFront: 0.064,
  capBack: 0.045,
  /** Ear centre: azimuth from the front (radians, about 98 degrees), height, half width (m along the surface) and half height. */
  earAzimuth: 1.72,
  earY: 0.004,
  earHalfWidth: 0.012,
  earHalfHeight: 0.026,
  /** Head radius at the ears, to turn azimuth into metres along the surface. */
  earRadius: 0.075,
  /** Largest azimuth (radians from the front) where eyes, brows, nose and mouth are drawn. */
  featureAzimuth: 1.2,
} as const;
