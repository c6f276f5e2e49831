// Package proto is the root of the interview mesh's Go client: the messages and gRPC stubs that buf
// generates from ../../proto (never edited by hand; `npm run codegen` regenerates them), at the
// import paths the .proto files' go_package options name:
//
//	github.com/yourorg/ai-interview/shared/proto/emotion       emotion.EmotionService
//	github.com/yourorg/ai-interview/shared/proto/scoring       scoring.ScoringService
//	github.com/yourorg/ai-interview/shared/proto/interview/v1  interview.v1.InterviewService
//	github.com/yourorg/ai-interview/shared/proto/auth/v1       auth.v1.AuthService
//	github.com/yourorg/ai-interview/shared/proto/events/v1     event payloads
//	github.com/yourorg/ai-interview/shared/proto/report/v1     the interview report (interview.report.v1)
//
// The interop tests (./interop, build tag interop) call the running TypeScript services with them.
package proto
