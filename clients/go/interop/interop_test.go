//go:build interop

// Interop tests: the generated Go client against the running TypeScript services. They run with
// the build tag `interop`, the services' addresses and the mesh's TLS files in the environment, as
// test/integration/interop-clients.test.ts runs them:
//
//	MESH_INTERVIEW_ADDR=127.0.0.1:50051 MESH_EMOTION_ADDR=127.0.0.1:50052 MESH_SCORING_ADDR=127.0.0.1:50053 \
//	MESH_AUTH_ADDR=127.0.0.1:50055 MESH_FIXTURES=../../../test/fixtures/faces \
//	MESH_TLS_CA=../../.data/tls/ca.crt MESH_TLS_CERT=../../.data/tls/operator.crt MESH_TLS_KEY=../../.data/tls/operator.key \
//	go test -tags interop ./interop/
//
// Every call is TLS, verifying the server's certificate with the mesh's CA (MESH_TLS_CA). The public
// services (interview, auth) are dialled as an end user would: the CA only, no client certificate.
// The internal ones (emotion, scoring) accept only clients with a certificate of the mesh's CA, and
// their call policy says which workload may call which RPC: the tests present the operator's
// certificate (MESH_TLS_CERT, MESH_TLS_KEY; spiffe://interview-mesh/operator/operator).
//
// Interview calls carry `authorization: Bearer <access token>`: each test registers a candidate
// with the auth service and logs in (candidateContext).
package interop_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	authv1 "github.com/yourorg/ai-interview/shared/proto/auth/v1"
	emotion "github.com/yourorg/ai-interview/shared/proto/emotion"
	interviewv1 "github.com/yourorg/ai-interview/shared/proto/interview/v1"
	scoring "github.com/yourorg/ai-interview/shared/proto/scoring"
)

func env(t *testing.T, name string) string {
	t.Helper()
	value := os.Getenv(name)
	if value == "" {
		t.Fatalf("%s is not set: these tests call running services (see the comment at the top of this file)", name)
	}
	return value
}

// internal names the variables of the services that only the mesh's workloads may call (mTLS).
var internal = map[string]bool{"MESH_EMOTION_ADDR": true, "MESH_SCORING_ADDR": true}

// tlsConfig trusts the mesh's CA and, when withCertificate, presents the operator's certificate.
func tlsConfig(t *testing.T, withCertificate bool) *tls.Config {
	t.Helper()
	ca, err := os.ReadFile(env(t, "MESH_TLS_CA"))
	if err != nil {
		t.Fatalf("MESH_TLS_CA: %v", err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(ca) {
		t.Fatalf("MESH_TLS_CA %s holds no PEM certificate", env(t, "MESH_TLS_CA"))
	}
	config := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	if withCertificate {
		certificate, err := tls.LoadX509KeyPair(env(t, "MESH_TLS_CERT"), env(t, "MESH_TLS_KEY"))
		if err != nil {
			t.Fatalf("MESH_TLS_CERT, MESH_TLS_KEY: %v", err)
		}
		config.Certificates = []tls.Certificate{certificate}
	}
	return config
}

func dialWith(t *testing.T, variable string, config *tls.Config) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(env(t, variable), grpc.WithTransportCredentials(credentials.NewTLS(config)))
	if err != nil {
		t.Fatalf("dial %s: %v", variable, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// dial connects to the service at the address in `variable` over TLS: with the operator's
// certificate to an internal service, with none to a public one.
func dial(t *testing.T, variable string) *grpc.ClientConn {
	t.Helper()
	return dialWith(t, variable, tlsConfig(t, internal[variable]))
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(env(t, "MESH_FIXTURES"), name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func withDeadline(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// candidateContext registers a new candidate with the auth service, logs in, and returns a context
// (with the tests' deadline) whose calls carry the access token; the candidate is its subject, the
// returned user id.
func candidateContext(t *testing.T) (context.Context, string) {
	t.Helper()
	client := authv1.NewAuthServiceClient(dial(t, "MESH_AUTH_ADDR"))
	ctx := withDeadline(t)
	email := fmt.Sprintf("go-interop-%d@example.com", time.Now().UnixNano())
	const password = "go-interop-password"
	account, err := client.Register(ctx, &authv1.RegisterRequest{Email: email, Password: password, Role: authv1.Role_ROLE_CANDIDATE})
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	tokens, err := client.Login(ctx, &authv1.LoginRequest{Email: email, Password: password})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if tokens.GetAccessToken() == "" || tokens.GetTokenType() != "Bearer" {
		t.Fatalf("want a Bearer access token, got %v", tokens)
	}
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+tokens.GetAccessToken()), account.GetUserId()
}

func TestAnalyzeFrameFindsTheAstronautsFace(t *testing.T) {
	client := emotion.NewEmotionServiceClient(dial(t, "MESH_EMOTION_ADDR"))
	res, err := client.AnalyzeFrame(withDeadline(t), &emotion.FrameRequest{
		SessionId: "go-interop", ImageData: fixture(t, "astronaut.png"), Format: "png", Timestamp: time.Now().UnixMilli(),
	})
	if err != nil {
		t.Fatalf("AnalyzeFrame: %v", err)
	}
	face := res.GetFaceMetrics()
	if !face.GetDetected() || res.GetEmotion() != "happy" || res.GetConfidence() < 0.5 {
		t.Fatalf("want a happy face, got detected=%v emotion=%q confidence=%v", face.GetDetected(), res.GetEmotion(), res.GetConfidence())
	}
	box := face.GetBoundingBox()
	if box.GetWidth() < 60 || box.GetX()+box.GetWidth() > 512 || box.GetY()+box.GetHeight() > 512 {
		t.Fatalf("face box %v is not the astronaut's face in the 512x512 photograph", box)
	}
	if res.GetSessionId() != "go-interop" {
		t.Fatalf("session_id %q not echoed", res.GetSessionId())
	}
}

func TestAnalyzeFrameOnACatFindsNoFace(t *testing.T) {
	client := emotion.NewEmotionServiceClient(dial(t, "MESH_EMOTION_ADDR"))
	res, err := client.AnalyzeFrame(withDeadline(t), &emotion.FrameRequest{SessionId: "go-interop", ImageData: fixture(t, "chelsea.png"), Format: "png"})
	if err != nil {
		t.Fatalf("AnalyzeFrame: %v", err)
	}
	if res.GetFaceMetrics().GetDetected() || res.GetEmotion() != "" {
		t.Fatalf("want no face and no emotion on a cat, got %v", res)
	}
}

func TestBadInputIsInvalidArgument(t *testing.T) {
	client := emotion.NewEmotionServiceClient(dial(t, "MESH_EMOTION_ADDR"))
	_, err := client.AnalyzeFrame(withDeadline(t), &emotion.FrameRequest{SessionId: "go-interop", ImageData: []byte("not an image")})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("want INVALID_ARGUMENT, got %v", err)
	}
}

func TestAnalyzeAnswer(t *testing.T) {
	client := scoring.NewScoringServiceClient(dial(t, "MESH_SCORING_ADDR"))
	res, err := client.AnalyzeAnswer(withDeadline(t), &scoring.AnswerRequest{
		Question: "How does a hash map handle collisions?",
		Answer:   "Each bucket keeps a linked list, so colliding keys are chained and a lookup walks the list.",
		Category: "technical",
	})
	if err != nil {
		t.Fatalf("AnalyzeAnswer: %v", err)
	}
	if res.GetRelevanceScore() <= 0 || res.GetClarityScore() <= 0 || res.GetDepthScore() <= 0 || len(res.GetKeywords()) == 0 || res.GetFeedback() == "" {
		t.Fatalf("want scores, keywords and feedback, got %v", res)
	}
}

func TestAnInterviewFromStartToReport(t *testing.T) {
	client := interviewv1.NewInterviewServiceClient(dial(t, "MESH_INTERVIEW_ADDR"))
	ctx, user := candidateContext(t)
	// The candidate is the token's subject: candidate_id is empty or that user id.
	interview, err := client.StartInterview(ctx, &interviewv1.StartInterviewRequest{CandidateId: user, QuestionCount: 2})
	if err != nil {
		t.Fatalf("StartInterview: %v", err)
	}
	if interview.GetState() != interviewv1.InterviewState_INTERVIEW_STATE_IN_PROGRESS || len(interview.GetQuestions()) != 2 || interview.GetCandidateId() != user {
		t.Fatalf("want an interview of candidate %s in progress with 2 questions, got %v", user, interview)
	}
	frame, err := client.SendFrame(ctx, &interviewv1.SendFrameRequest{InterviewId: interview.GetId(), ImageData: fixture(t, "astronaut.png"), Format: "png"})
	if err != nil {
		t.Fatalf("SendFrame: %v", err)
	}
	if frame.GetFrameNumber() != 1 || !frame.GetAnalysis().GetFaceMetrics().GetDetected() {
		t.Fatalf("want frame 1 analysed with a face, got %v", frame)
	}
	for _, question := range interview.GetQuestions() {
		_, err := client.SubmitAnswer(ctx, &interviewv1.SubmitAnswerRequest{
			InterviewId: interview.GetId(), QuestionId: question.GetId(), DurationSeconds: 20, Confidence: 0.9,
			Transcript: "I start from the requirements, measure the current system, and explain the trade-offs I chose.",
		})
		if err != nil {
			t.Fatalf("SubmitAnswer: %v", err)
		}
	}
	if _, err := client.CompleteInterview(ctx, &interviewv1.CompleteInterviewRequest{InterviewId: interview.GetId()}); err != nil {
		t.Fatalf("CompleteInterview: %v", err)
	}
	// Scoring is asynchronous (events): the report answers FAILED_PRECONDITION until it is done.
	var report *interviewv1.Report
	for report == nil {
		report, err = client.GetReport(ctx, &interviewv1.GetReportRequest{InterviewId: interview.GetId(), IncludeEmotions: true})
		if status.Code(err) == codes.FailedPrecondition {
			time.Sleep(250 * time.Millisecond)
			continue
		}
		if err != nil {
			t.Fatalf("GetReport: %v", err)
		}
	}
	if overall := report.GetScores().GetOverall(); overall <= 0 || overall > 100 {
		t.Fatalf("overall score %v is not in (0, 100]", overall)
	}
	var body struct {
		Answers        []json.RawMessage `json:"answers"`
		EmotionSummary struct {
			SampleCount       int `json:"sampleCount"`
			FaceDetectedCount int `json:"faceDetectedCount"`
		} `json:"emotionSummary"`
	}
	if err := json.Unmarshal(report.GetReportJson(), &body); err != nil {
		t.Fatalf("report_json: %v", err)
	}
	if len(body.Answers) != 2 || body.EmotionSummary.SampleCount != 1 || body.EmotionSummary.FaceDetectedCount != 1 {
		t.Fatalf("want 2 answers and 1 frame with a face in the report, got %+v", body)
	}
}

func TestUnknownInterviewIsNotFound(t *testing.T) {
	client := interviewv1.NewInterviewServiceClient(dial(t, "MESH_INTERVIEW_ADDR"))
	ctx, _ := candidateContext(t)
	_, err := client.GetInterview(ctx, &interviewv1.GetInterviewRequest{InterviewId: "00000000-0000-4000-8000-000000000000"})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("want NOT_FOUND, got %v", err)
	}
}

func TestInterviewCallsNeedAnAccessToken(t *testing.T) {
	client := interviewv1.NewInterviewServiceClient(dial(t, "MESH_INTERVIEW_ADDR"))
	_, err := client.StartInterview(withDeadline(t), &interviewv1.StartInterviewRequest{QuestionCount: 2})
	if status.Code(err) != codes.Unauthenticated {
		t.Fatalf("want UNAUTHENTICATED without a token, got %v", err)
	}
	ctx := metadata.AppendToOutgoingContext(withDeadline(t), "authorization", "Bearer not-a-token")
	_, err = client.StartInterview(ctx, &interviewv1.StartInterviewRequest{QuestionCount: 2})
	if status.Code(err) != codes.Unauthenticated {
		t.Fatalf("want UNAUTHENTICATED with a forged token, got %v", err)
	}
}

func TestStartingAnotherCandidatesInterviewIsPermissionDenied(t *testing.T) {
	client := interviewv1.NewInterviewServiceClient(dial(t, "MESH_INTERVIEW_ADDR"))
	ctx, _ := candidateContext(t)
	_, err := client.StartInterview(ctx, &interviewv1.StartInterviewRequest{CandidateId: "someone-else", QuestionCount: 2})
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("want PERMISSION_DENIED, got %v", err)
	}
}

func TestEmotionRefusesACallerWithoutAClientCertificate(t *testing.T) {
	// TLS trusting the mesh's CA, but no certificate of its own: the handshake is refused.
	client := emotion.NewEmotionServiceClient(dialWith(t, "MESH_EMOTION_ADDR", tlsConfig(t, false)))
	_, err := client.AnalyzeFrame(withDeadline(t), &emotion.FrameRequest{SessionId: "go-interop", ImageData: fixture(t, "astronaut.png"), Format: "png"})
	if status.Code(err) != codes.Unavailable {
		t.Fatalf("want UNAVAILABLE without a client certificate, got %v", err)
	}
}

func TestGenerateReportIsPermissionDeniedToAnOperator(t *testing.T) {
	// Reports hold every answer of a session: only the interview service may ask for one.
	client := scoring.NewScoringServiceClient(dial(t, "MESH_SCORING_ADDR"))
	_, err := client.GenerateReport(withDeadline(t), &scoring.ReportRequest{SessionId: "00000000-0000-4000-8000-000000000000"})
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("want PERMISSION_DENIED for the operator, got %v", err)
	}
}
