import { FaceTrack } from '../../../src/services/emotion/domain/face/face-track';
import { FaceTracks } from '../../../src/services/emotion/domain/face/face-tracks';

const track = (x: number): FaceTrack => ({
  box: { x, y: 0, width: 10, height: 10 },
  frameSize: { width: 640, height: 480 },
  fit: { dx: 0, dy: 0, sx: 1, sy: 1 },
  framesSinceDetection: 0,
});

describe('FaceTracks: per-replica, bounded, expiring', () => {
  it('keeps the latest track per session and forgets a session with no face', () => {
    const tracks = new FaceTracks();
    tracks.set('a', track(1));
    tracks.set('a', track(2));
    expect(tracks.get('a')!.box.x).toBe(2);
    tracks.set('a', undefined);
    expect(tracks.get('a')).toBeUndefined();
  });

  it('evicts the least recently updated session beyond its bound', () => {
    const tracks = new FaceTracks(2);
    tracks.set('a', track(1));
    tracks.set('b', track(2));
    tracks.set('a', track(3));
    tracks.set('c', track(4));
    expect(tracks.size).toBe(2);
    expect(tracks.get('b')).toBeUndefined();
    expect(tracks.get('a')!.box.x).toBe(3);
  });

  it('expires a track ttl milliseconds after its frame', () => {
    let now = 1_000;
    const tracks = new FaceTracks(10, 500, () => now);
    tracks.set('a', track(1));
    now = 1_499;
    expect(tracks.get('a')).toBeDefined();
    now = 1_500;
    expect(tracks.get('a')).toBeUndefined();
  });
});
