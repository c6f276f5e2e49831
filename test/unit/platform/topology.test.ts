import { BINDINGS, QUEUES, ROUTING_KEYS, topicMatches } from '../../../src/platform/bus/topology';

describe('topic routing', () => {
  it.each([
    ['interview.completed', 'interview.completed', true],
    ['interview.*', 'interview.completed', true],
    ['interview.*', 'interview.frame.captured', false],
    ['interview.#', 'interview.frame.captured', true],
    ['#', 'anything.at.all', true],
    ['interview.#.captured', 'interview.captured', true],
    ['interview.frame.captured', 'interview.frame', false],
    ['*.scored', 'interview.scored', true],
  ])('%s matches %s: %s', (pattern, key, expected) => {
    expect(topicMatches(pattern, key)).toBe(expected);
  });

  it('binds the queues of ARCHITECTURE.md to their routing keys', () => {
    expect(BINDINGS[QUEUES.emotionAnalysis]).toEqual([ROUTING_KEYS.frameCaptured]);
    expect(BINDINGS[QUEUES.scoringProcess]).toEqual([ROUTING_KEYS.completed]);
    expect(BINDINGS[QUEUES.notificationEmail]).toEqual([ROUTING_KEYS.scored]);
    expect(BINDINGS[QUEUES.videoProcessing]).toEqual([ROUTING_KEYS.videoUploaded]);
  });
});
