import { FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';

import { ApiError } from '../api/client';
import { useApi } from '../api/context';
import { Connection, LiveSocket } from '../api/live-socket';
import type { EmotionUpdate, Interview, Progress, Question, ServerMessage } from '../api/types';
import { CameraState, captureJpeg, FRAME_INTERVAL_MS, openCamera } from '../camera/camera';
import { BlinkFeedback, hasBlinks, MeasuredBlinks } from '../components/blink-feedback';
import { Alert, Layout } from '../components/layout';

/** When the server asked this page to hold its frames (429, RATE_LIMIT_EXCEEDED), and why. */
interface Limit {
  readonly until: number;
  readonly message: string;
}

function firstUnanswered(interview: Interview): Question | undefined {
  return interview.questions.find((q) => !interview.answered_question_ids.includes(q.id));
}

function progressOf(interview: Interview): Progress {
  const total = interview.questions.length;
  const answered = interview.answered_question_ids.length;
  return { progress: total ? Math.round((100 * answered) / total) : 0, current_question: Math.min(answered + 1, total), total_questions: total, answered };
}

/**
 * The candidate's interview: the camera's preview and a frame every 500 ms over the WebSocket, the
 * live feedback the server sends back (face found or not, expression, blink rate), the questions
 * one at a time with their expected duration, typed answers, progress, completion, then the report.
 */
export function CandidatePage() {
  const api = useApi();
  const navigate = useNavigate();
  const [interview, setInterview] = useState<Interview>();
  const [camera, setCamera] = useState<CameraState>({ kind: 'asking' });
  const [connection, setConnection] = useState<{ state: Connection; detail?: string }>({ state: 'connecting' });
  const [feedback, setFeedback] = useState<EmotionUpdate>();
  const [blinks, setBlinks] = useState<MeasuredBlinks>();
  const [faceMissing, setFaceMissing] = useState(false);
  const [question, setQuestion] = useState<Question>();
  const [progress, setProgress] = useState<Progress>();
  const [answer, setAnswer] = useState('');
  const [limit, setLimit] = useState<Limit>();
  const [error, setError] = useState<string>();
  const [framesSent, setFramesSent] = useState(0);
  const [completing, setCompleting] = useState(false);
  const askedAt = useRef(Date.now());
  const video = useRef<HTMLVideoElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const socket = useRef<LiveSocket>(undefined);
  const limitRef = useRef<Limit>(undefined);

  const showError = useCallback((e: unknown) => {
    if (e instanceof ApiError && e.limited) {
      const wait = (e.retryAfterSeconds ?? 5) * 1000;
      limitRef.current = { until: Date.now() + wait, message: e.message };
      setLimit(limitRef.current);
    } else setError(e instanceof Error ? e.message : String(e));
  }, []);

  const start = () => {
    setError(undefined);
    api.startInterview({ question_count: 3 }).then((started) => {
      setInterview(started);
      setQuestion(firstUnanswered(started));
      setProgress(progressOf(started));
      askedAt.current = Date.now();
    }, showError);
  };

  // The camera, asked for once the page is shown.
  useEffect(() => {
    let stream: MediaStream | undefined;
    void openCamera().then((state) => {
      setCamera(state);
      if (state.kind === 'on') {
        stream = state.stream;
        if (video.current) video.current.srcObject = state.stream;
      }
    });
    return () =>
      stream?.getTracks().forEach((t) => {
        t.stop();
      });
  }, []);

  const onMessage = useCallback((message: ServerMessage) => {
    switch (message.type) {
      case 'emotion_update':
        setFeedback(message.data);
        // A frame without blink figures (queued, say) leaves the last measured ones shown.
        if (hasBlinks(message.data)) setBlinks(message.data);
        // A queued frame was not analysed: it says nothing about the face either way.
        if (!message.data.queued) setFaceMissing(message.data.face_detected === false);
        break;
      case 'question':
        setQuestion(message.data);
        askedAt.current = Date.now();
        break;
      case 'status':
        setProgress(message.data);
        break;
      case 'error':
        if (message.data.code === 'FACE_NOT_DETECTED') setFaceMissing(true);
        else if (message.data.code === 'RATE_LIMIT_EXCEEDED' || message.data.status === 'RESOURCE_EXHAUSTED') {
          limitRef.current = { until: Date.now() + (message.data.retry_after_ms ?? 1000), message: message.data.message };
          setLimit(limitRef.current);
        } else setError(message.data.message);
        break;
      case 'pong':
        break;
    }
  }, []);

  // The live connection, for as long as the interview runs; on a reconnect the status is read again (resume).
  const interviewId = interview?.id;
  const finished = interview?.state === 'completed' || interview?.state === 'scored';
  useEffect(() => {
    if (!interviewId || finished) return;
    let wasLost = false;
    const live = new LiveSocket({
      interviewId,
      token: async (refreshed) => {
        const session = refreshed ? await api.refresh() : api.current;
        if (!session) throw new Error('logged out');
        return session.accessToken;
      },
      onMessage,
      onConnection: (state, detail) => {
        setConnection({ state, detail });
        if (state === 'reconnecting') wasLost = true;
        if (state === 'open' && wasLost) {
          wasLost = false;
          api.getInterview(interviewId).then((current) => {
            setQuestion(firstUnanswered(current));
            setProgress(progressOf(current));
          }, showError);
        }
      },
    });
    socket.current = live;
    return () => {
      live.close();
      socket.current = undefined;
    };
  }, [api, interviewId, finished, onMessage, showError]);

  // A frame every 500 ms while the camera is on and the socket open; one at a time (a slow encode skips a tick).
  useEffect(() => {
    if (camera.kind !== 'on' || !interviewId || finished) return;
    let busy = false;
    const timer = setInterval(() => {
      const live = socket.current;
      if (busy || !live?.isOpen || !video.current || !canvas.current) return;
      if (limitRef.current && Date.now() < limitRef.current.until) return;
      if (limitRef.current) {
        limitRef.current = undefined;
        setLimit(undefined);
      }
      busy = true;
      const timestamp = Date.now();
      void captureJpeg(video.current, canvas.current)
        .then((image) => {
          if (image && live.send({ type: 'frame', data: { session_id: interviewId, timestamp, image, format: 'jpeg' } })) setFramesSent((n) => n + 1);
        })
        .finally(() => {
          busy = false;
        });
    }, FRAME_INTERVAL_MS);
    return () => {
      clearInterval(timer);
    };
  }, [camera.kind, interviewId, finished]);

  const submitAnswer = (event: FormEvent) => {
    event.preventDefault();
    if (!interview || !question || answer.trim() === '') return;
    const duration = Math.round((Date.now() - askedAt.current) / 100) / 10;
    const data = { question_id: question.id, transcript: answer.trim(), duration, confidence: 1 };
    setAnswer('');
    // Over the WebSocket when it is open (the server then sends the next question and the status); by REST otherwise.
    if (socket.current?.send({ type: 'answer', data })) {
      setInterview({ ...interview, answered_question_ids: [...interview.answered_question_ids, question.id] });
      setQuestion(undefined);
      return;
    }
    api.submitAnswer(interview.id, data).then((response) => {
      setInterview({ ...interview, answered_question_ids: [...interview.answered_question_ids, question.id] });
      setQuestion(response.next_question ?? undefined);
      setProgress(response.status);
      askedAt.current = Date.now();
    }, showError);
  };

  const complete = () => {
    if (!interview) return;
    setCompleting(true);
    api.completeInterview(interview.id).then(
      (done) => {
        setInterview(done);
        void navigate(`/interview/${done.id}/report`);
      },
      (e: unknown) => {
        setCompleting(false);
        showError(e);
      },
    );
  };

  const allAnswered = progress !== undefined && progress.total_questions > 0 && (progress.answered ?? 0) >= progress.total_questions;

  return (
    <Layout title="Your interview">
      <div className="columns">
        <section aria-labelledby="camera-heading" className="card">
          <h2 id="camera-heading">Camera</h2>
          {camera.kind === 'asking' && <p role="status">Asking for your camera…</p>}
          {camera.kind === 'refused' && (
            <Alert>Camera access was refused. The interview needs your camera: allow it in your browser&apos;s site settings, then reload this page.</Alert>
          )}
          {camera.kind === 'unavailable' && <Alert>{camera.reason}</Alert>}
          <video ref={video} autoPlay muted playsInline className="preview" aria-label="Your camera's preview" hidden={camera.kind !== 'on'} />
          <canvas ref={canvas} hidden />
          {interviewId && camera.kind === 'on' && (
            <div aria-live="polite" className="feedback" data-testid="live-feedback">
              <h3>Live feedback</h3>
              {faceMissing ? (
                <Alert tone="warning">No face found: please face the camera, in good light.</Alert>
              ) : (
                <dl>
                  <dt>Face</dt>
                  <dd>
                    {!feedback
                      ? 'waiting for the first analysis'
                      : feedback.queued
                        ? 'analysis delayed: the frame was queued'
                        : feedback.face_detected === false
                          ? 'not found'
                          : 'found'}
                  </dd>
                  <dt>Expression</dt>
                  <dd data-testid="expression">{feedback?.emotion ? `${feedback.emotion} (${Math.round(feedback.confidence * 100)}%)` : '—'}</dd>
                  <BlinkFeedback blinks={blinks} />
                </dl>
              )}
              <p className="small">Frames sent: {framesSent}</p>
            </div>
          )}
        </section>

        <section aria-labelledby="questions-heading" className="card">
          <h2 id="questions-heading">Questions</h2>
          {interviewId && connection.state === 'reconnecting' && (
            <Alert tone="warning">Connection lost: reconnecting… Your answers so far are kept; the interview resumes where it was.</Alert>
          )}
          {interviewId && connection.state === 'closed' && connection.detail && <Alert>Connection closed: {connection.detail}</Alert>}
          {limit && <Alert tone="warning">Slow down: the server&apos;s limit was reached ({limit.message}). Frames resume shortly.</Alert>}
          {error && <Alert>{error}</Alert>}
          {!interview && (
            <>
              <p>Three questions, one at a time. Type your answers; your camera sends a picture twice a second for live feedback.</p>
              <button type="button" onClick={start} disabled={camera.kind === 'asking'}>
                Start the interview
              </button>
            </>
          )}
          {progress && (
            <div className="progress-block">
              <label htmlFor="progress">
                Progress: {progress.answered ?? 0} of {progress.total_questions} answered
              </label>
              <progress id="progress" max={100} value={progress.progress}>
                {progress.progress}%
              </progress>
            </div>
          )}
          {interview && question && !allAnswered && (
            <form onSubmit={submitAnswer}>
              <h3 data-testid="question">
                Question {progress?.current_question ?? 1} of {progress?.total_questions ?? interview.questions.length}
              </h3>
              <p className="question">{question.text}</p>
              <p className="small">
                {question.category}
                {question.expected_duration_seconds
                  ? ` · about ${Math.round(question.expected_duration_seconds / 60) || 1} min (${question.expected_duration_seconds} s)`
                  : ''}
              </p>
              <label htmlFor="answer">Your answer</label>
              <textarea
                id="answer"
                rows={6}
                value={answer}
                onChange={(e) => {
                  setAnswer(e.target.value);
                }}
              />
              <button type="submit" disabled={answer.trim() === ''}>
                Submit answer
              </button>
            </form>
          )}
          {interview && allAnswered && (
            <>
              <p role="status">All questions answered.</p>
              <button type="button" onClick={complete} disabled={completing}>
                Complete the interview
              </button>
            </>
          )}
        </section>
      </div>
    </Layout>
  );
}
