import { ScoreCalculated } from '../../gen/events';

export interface NotificationContent {
  subject: string;
  body: string;
}

/** The e-mail telling a candidate their interview was scored; scores rounded to whole points. */
export function scoredNotification(event: ScoreCalculated): NotificationContent {
  const points = (value: number) => Math.round(value);
  return {
    subject: `Your interview results: ${points(event.overallScore)}/100`,
    body: [
      `Your interview ${event.sessionId} has been scored.`,
      `Overall: ${points(event.overallScore)}/100 (technical ${points(event.technicalScore)}, communication ${points(event.communicationScore)}, emotion ${points(event.emotionScore)}).`,
      event.feedback,
    ]
      .filter(Boolean)
      .join('\n'),
  };
}
