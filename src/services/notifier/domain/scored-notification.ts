/** What the notification needs of an interview's scores (interview.scored carries them), each 0..100. */
export interface InterviewScores {
  sessionId: string;
  technicalScore: number;
  communicationScore: number;
  emotionScore: number;
  overallScore: number;
  feedback: string;
}

export interface NotificationContent {
  subject: string;
  body: string;
}

/** The e-mail telling a candidate their interview was scored; scores rounded to whole points. */
export function scoredNotification(event: InterviewScores): NotificationContent {
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
