import { ROUTING_KEYS } from '../../../src/platform/bus/event-catalog';
import { topicMatches } from '../../../src/platform/bus/topology';
import { SERVICES } from '../../../src/mesh/registry';
import { meshTopology } from '../../../src/mesh/topology';

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

  it('binds the queues of docs/architecture.md to their routing keys, gathered from the services', () => {
    const topology = meshTopology(SERVICES);
    expect(topology['emotion.analysis']).toEqual([ROUTING_KEYS.frameCaptured]);
    expect(topology['scoring.process']).toEqual([ROUTING_KEYS.completed]);
    expect(topology['notification.email']).toEqual([ROUTING_KEYS.scored]);
    expect(topology['video.processing']).toEqual([ROUTING_KEYS.videoUploaded]);
  });

  it('refuses a queue two services declare', () => {
    const twice = SERVICES.filter((s) => s.name === 'notifier');
    expect(() => meshTopology([...twice, ...twice])).toThrow('queue notification.email is declared twice');
  });
});
