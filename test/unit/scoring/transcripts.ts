/**
 * Realistic software-engineering interview questions and speech-to-text style answers used by the
 * scoring-domain unit tests.
 */

export const HASH_MAP_QUESTION = 'How does a hash map handle collisions?';

/** On-topic, specific, crisp. */
export const HASH_MAP_GOOD =
  'A hash map computes a hash code for each key and maps it to a bucket index. ' +
  'A collision happens when two different keys land in the same bucket. ' +
  'With separate chaining, each bucket holds a linked list of entries, and Java 8 switches a bucket to a red-black tree after 8 entries. ' +
  'With open addressing, the map probes for the next free slot, for example with linear probing. ' +
  'I keep the load factor under 0.75 and resize the table, because long chains turn an O(1) lookup into O(n).';

/** Fluent but about something else entirely. */
export const OFF_TOPIC =
  'I really enjoy working with people from different backgrounds. ' +
  'On weekends I go hiking with my family and we cook dinner together. ' +
  'My favourite holiday was a trip to Portugal, where we visited beaches and small villages.';

/** On the right topic, but rambling and full of fillers. */
export const HASH_MAP_RAMBLING =
  'Um, so, basically, a hash map is, like, you know, a map, and, uh, it kind of, like, handles collisions, ' +
  'I mean, it sort of handles them, um, because, like, when there is a collision it, uh, it, it just, you know, ' +
  'handles it somehow and stuff and it, like, kind of works out, you know, it kind of works out in the end, ' +
  'basically, um, it just works out in the end or something.';

export const INCIDENT_QUESTION = 'Tell me about a time you debugged a production incident.';

export const INCIDENT_GOOD =
  'Last March our checkout API started returning 502 errors for about 15% of requests. ' +
  'I opened the Grafana dashboards and saw that p99 latency had jumped from 200 ms to 4 seconds right after a deploy. ' +
  'The root cause was connection pool exhaustion: the new release doubled the number of Postgres queries per request. ' +
  'We rolled back within ten minutes, added a missing index, and we measured a 60% drop in latency. ' +
  'Afterwards I wrote the postmortem and we added an alert on pool saturation.';

export const INCIDENT_VAGUE = 'Yeah, there was a bug once and I fixed it.';
