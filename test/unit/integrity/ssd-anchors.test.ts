import { ssdAnchors } from '../../../src/services/integrity/domain/people/ssd-anchors';

describe('ssdAnchors (MediaPipe SsdAnchorsCalculator, fixed anchor size)', () => {
  it('lays out face_detection_back: 16x16 cells x 2, then 8x8 cells x 6, centres at cell middles', () => {
    const anchors = ssdAnchors(256, [16, 32, 32, 32]);
    expect(anchors).toHaveLength(896);
    expect(anchors[0]).toEqual({ x: 0.5 / 16, y: 0.5 / 16 });
    expect(anchors[1]).toEqual(anchors[0]);
    expect(anchors[2]).toEqual({ x: 1.5 / 16, y: 0.5 / 16 });
    expect(anchors[511]).toEqual({ x: 15.5 / 16, y: 15.5 / 16 });
    expect(anchors[512]).toEqual({ x: 0.5 / 8, y: 0.5 / 8 });
    expect(anchors.slice(512, 518).every((a) => a.x === anchors[512].x && a.y === anchors[512].y)).toBe(true);
    expect(anchors[518]).toEqual({ x: 1.5 / 8, y: 0.5 / 8 });
    expect(anchors[895]).toEqual({ x: 7.5 / 8, y: 7.5 / 8 });
  });

  it('gives the front model the same 896 anchors at 128 px with strides 8 and 16', () => {
    const anchors = ssdAnchors(128, [8, 16, 16, 16]);
    expect(anchors).toHaveLength(896);
    expect(anchors[512]).toEqual({ x: 0.5 / 8, y: 0.5 / 8 });
  });
});
