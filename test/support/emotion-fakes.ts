import { FrameAnalysis } from '../../src/services/emotion/domain/frame-analyzer';

/** What the models say of a 2x2 frame with no face: nothing invented. For fakes of FrameAnalysisService. */
export const NO_FACE: FrameAnalysis = {
  width: 2,
  height: 2,
  face: undefined,
  faceCount: 0,
  mesh: undefined,
  eyes: undefined,
  emotion: undefined,
  tracked: false,
  track: undefined,
};
