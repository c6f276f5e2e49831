/**
 * A small OpenAI-compatible chat-completions server on node-llama-cpp 3.21.1, for trying the scoring
 * service's LLM judge (src/services/scoring/judge/llm-judge.ts) against a local model. An evaluation
 * tool, not part of the mesh: node-llama-cpp is not a project dependency; scripts/eval/ensure-local-llm.sh
 * installs it into .cache/local-llm/node/ and the model (SmolLM2-135M-Instruct, Q4_1 GGUF) into
 * .cache/local-llm/.
 *
 *   npx tsx scripts/eval/local-llm-server.ts [port] [--model file.gguf] [--threads 1] [--context-size 4096]
 *     [--max-tokens 512] [--transcript file.jsonl]
 *
 * Listens on 127.0.0.1 (port 0, the default, picks a free one) and prints its URL on stdout, one line
 * (`http://127.0.0.1:PORT`; the judge's SCORING_JUDGE_URL is that plus `/v1`); logs go to stderr.
 *
 * - `POST /v1/chat/completions`: `messages` (system/developer, user and assistant; content a string or
 *   text parts), `temperature` (OpenAI's default 1; 0 is greedy), `max_tokens` or
 *   `max_completion_tokens` (else --max-tokens), `seed`, `frequency_penalty` / `presence_penalty`
 *   (else no repeat penalty), and `response_format`: `json_schema` (its schema becomes a grammar, see
 *   `grammarSchema`), `json_object` (any JSON) or `text`. No streaming, n = 1. Answers a
 *   `chat.completion` with `usage` (prompt tokens: the whole rendered chat, as OpenAI counts them,
 *   though the server re-evaluates only what differs from the previous request) and `finish_reason`
 *   `length` when cut at the token limit.
 * - `GET /v1/models`: the one model.
 *
 * One request at a time (a queue), one context sequence, so the rubric's tokens, the same in every
 * request, are evaluated once. A client that disconnects aborts its generation.
 *
 * Threads: 1 by default. On a shared machine (2 vCPUs, the load well above 2) two threads spent 98 % of
 * their samples in ggml_barrier (perf), spinning while the other thread was descheduled: 3 to 17 s
 * per token against about 0.1 s on one thread.
 */
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';

const REPO = path.resolve(__dirname, '../..');
const NODE_LLAMA_CPP = path.join(REPO, '.cache/local-llm/node/node_modules/node-llama-cpp/dist/index.js');
const DEFAULT_MODEL = path.join(REPO, '.cache/local-llm/SmolLM2-135M-Instruct.Q4_1.gguf');
const MAX_BODY_BYTES = 1024 * 1024;
/** An integer range no wider than this becomes an enum (the grammar's way of holding minimum/maximum). */
const MAX_ENUM_RANGE = 1000;

// node-llama-cpp's types, the few used here: it is installed under .cache/ (not a project
// dependency), which tsconfig excludes and `import type` cannot reach, so they are written out from
// its 3.21.1 declarations (dist/index.d.ts and what it re-exports).
type ChatHistoryItem =
  | { readonly type: 'system'; readonly text: string }
  | { readonly type: 'user'; readonly text: string }
  | { readonly type: 'model'; readonly response: string[] };
type Token = number & { __token: never };
interface LlamaText {
  tokenize(tokenizer: Tokenizer): Token[];
}
type Tokenizer = (text: string, specialTokens?: boolean) => Token[];
interface ChatWrapper {
  readonly wrapperName: string;
  generateContextState(options: { chatHistory: readonly ChatHistoryItem[] }): { contextText: LlamaText };
}
type LlamaGrammar = object;
interface RepeatPenalty {
  readonly lastTokens?: number;
  readonly penalty?: number;
  readonly frequencyPenalty?: number;
  readonly presencePenalty?: number;
}
interface GenerateOptions {
  readonly signal?: AbortSignal;
  readonly stopOnAbortSignal?: boolean;
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly seed?: number;
  readonly grammar?: LlamaGrammar;
  readonly repeatPenalty?: false | RepeatPenalty;
  readonly onToken?: (tokens: Token[]) => void;
}
interface LlamaChatResponse {
  readonly response: string;
  readonly metadata: { readonly stopReason: 'eogToken' | 'stopGenerationTrigger' | 'functionCalls' | 'maxTokens' | 'abort' | 'customStopTrigger' };
}
interface LlamaChat {
  readonly chatWrapper: ChatWrapper;
  generateResponse(history: ChatHistoryItem[], options?: GenerateOptions): Promise<LlamaChatResponse>;
}
interface LlamaContextSequence {
  readonly tokenMeter: { readonly usedInputTokens: number; readonly usedOutputTokens: number };
}
interface LlamaContext {
  readonly contextSize: number;
  getSequence(): LlamaContextSequence;
}
interface LlamaModel {
  readonly tokenizer: Tokenizer;
  readonly trainContextSize: number;
  createContext(options: { contextSize?: number; threads?: number }): Promise<LlamaContext>;
}
interface Llama {
  readonly buildType: string;
  readonly cpuMathCores: number;
  loadModel(options: { modelPath: string }): Promise<LlamaModel>;
  createGrammarForJsonSchema(schema: object): Promise<LlamaGrammar>;
  getGrammarFor(type: 'json'): Promise<LlamaGrammar>;
  dispose(): Promise<void>;
}
interface NodeLlamaCpp {
  getLlama: (options: { build: 'never'; gpu: false; progressLogs: boolean; logLevel: string }) => Promise<Llama>;
  LlamaChat: new (options: { contextSequence: LlamaContextSequence; autoDisposeSequence?: boolean }) => LlamaChat;
}

export interface ServerOptions {
  readonly port: number;
  readonly modelPath: string;
  readonly threads: number;
  readonly contextSize: number;
  readonly maxTokens: number;
  /** Appends one JSON line per completion (content, finish_reason, usage, milliseconds); none when undefined. */
  readonly transcript?: string;
}

/** An error answered with an HTTP status and OpenAI's error body. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
  ) {
    super(message);
  }
}

interface CompletionRequest {
  readonly model: string;
  readonly history: ChatHistoryItem[];
  readonly temperature: number;
  readonly maxTokens: number;
  readonly seed: number | undefined;
  readonly repeatPenalty: false | RepeatPenalty;
  readonly format: { readonly kind: 'text' } | { readonly kind: 'json' } | { readonly kind: 'schema'; readonly schema: Record<string, unknown> };
}

function log(message: string): void {
  process.stderr.write(`[local-llm-server] ${message}\n`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** JSON-schema keywords node-llama-cpp 3.21.1's grammar converter reads (utils/gbnfJson), the rest being ignored by it. */
const GRAMMAR_KEYWORDS = new Set([
  'type',
  'description',
  'properties',
  'required',
  'additionalProperties',
  'minProperties',
  'maxProperties',
  'items',
  'prefixItems',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'format',
  'enum',
  'const',
  'oneOf',
  '$defs',
  '$ref',
]);

/**
 * `schema` in the subset node-llama-cpp's grammar converter knows. It ignores every other keyword
 * without a word (the grammar then allows any integer where the schema says 0..100), so:
 * - an `integer` with `minimum` and `maximum` (or their exclusive forms) at most 1000 apart becomes
 *   an `enum` of those integers, which the grammar does hold to;
 * - `anyOf` becomes `oneOf` (for generating, both are a choice of alternatives);
 * - any other keyword is dropped and named in `notes` (with where it was), e.g. bounds of a `number`,
 *   `pattern`, `uniqueItems`.
 */
export function grammarSchema(schema: unknown, notes: string[], at = '$'): unknown {
  if (Array.isArray(schema)) return schema.map((item, i) => grammarSchema(item, notes, `${at}[${i}]`));
  if (!isRecord(schema)) return schema;
  const out: Record<string, unknown> = {};
  const range = integerRange(schema);
  for (const [key, value] of Object.entries(schema)) {
    if (range && ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'type'].includes(key)) continue;
    if (key === 'anyOf') {
      out.oneOf = grammarSchema(value, notes, `${at}.anyOf`);
      notes.push(`${at}: anyOf read as oneOf`);
    } else if (key === 'properties' || key === '$defs') {
      out[key] = isRecord(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, grammarSchema(v, notes, `${at}.${k}`)])) : value;
    } else if (key === 'items' || key === 'prefixItems' || key === 'oneOf' || key === 'additionalProperties') {
      out[key] = grammarSchema(value, notes, `${at}.${key}`);
    } else if (GRAMMAR_KEYWORDS.has(key)) {
      out[key] = value;
    } else {
      notes.push(`${at}: dropped ${key}`);
    }
  }
  if (range) {
    out.enum = Array.from({ length: range.max - range.min + 1 }, (_, i) => range.min + i);
    notes.push(`${at}: integer ${range.min}..${range.max} held as an enum`);
  }
  return out;
}

function integerRange(schema: Record<string, unknown>): { min: number; max: number } | undefined {
  if (schema.type !== 'integer') return undefined;
  const bound = (inclusive: unknown, exclusive: unknown, step: number): number | undefined => {
    if (typeof inclusive === 'number') return step > 0 ? Math.ceil(inclusive) : Math.floor(inclusive);
    if (typeof exclusive === 'number') return step > 0 ? Math.floor(exclusive) + 1 : Math.ceil(exclusive) - 1;
    return undefined;
  };
  const min = bound(schema.minimum, schema.exclusiveMinimum, 1);
  const max = bound(schema.maximum, schema.exclusiveMaximum, -1);
  if (min === undefined || max === undefined || max < min || max - min > MAX_ENUM_RANGE) return undefined;
  return { min, max };
}

/** The text of a message's content: a string, or an array of `{ type: 'text', text }` parts. */
function contentText(content: unknown, index: number): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => {
        if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') return part.text;
        throw new HttpError(400, `messages[${index}].content: only text parts are supported`);
      })
      .join('');
  }
  throw new HttpError(400, `messages[${index}].content must be a string or an array of text parts`);
}

function optionalNumber(body: Record<string, unknown>, name: string): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new HttpError(400, `${name} must be a number`);
  return value;
}

/** The request's fields, checked. */
function parseRequest(body: unknown, options: ServerOptions, defaultModel: string): CompletionRequest {
  if (!isRecord(body)) throw new HttpError(400, 'the body must be a JSON object');
  if (body.stream === true) throw new HttpError(400, 'stream is not supported');
  if (body.n !== undefined && body.n !== null && body.n !== 1) throw new HttpError(400, 'only n = 1 is supported');
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw new HttpError(400, 'messages must be a non-empty array');
  const history: ChatHistoryItem[] = (body.messages as unknown[]).map((message, i): ChatHistoryItem => {
    if (!isRecord(message)) throw new HttpError(400, `messages[${i}] must be an object`);
    const text = contentText(message.content, i);
    switch (message.role) {
      case 'system':
      case 'developer':
        return { type: 'system', text };
      case 'user':
        return { type: 'user', text };
      case 'assistant':
        return { type: 'model', response: [text] };
      default:
        throw new HttpError(400, `messages[${i}].role must be system, developer, user or assistant`);
    }
  });
  if (history[history.length - 1].type !== 'user') throw new HttpError(400, 'the last message must be a user message');
  history.push({ type: 'model', response: [] });

  const temperature = optionalNumber(body, 'temperature') ?? 1;
  if (temperature < 0 || temperature > 2) throw new HttpError(400, 'temperature must be from 0 to 2');
  const requestedMax = optionalNumber(body, 'max_completion_tokens') ?? optionalNumber(body, 'max_tokens');
  if (requestedMax !== undefined && (!Number.isSafeInteger(requestedMax) || requestedMax < 1))
    throw new HttpError(400, 'max_tokens must be a positive integer');
  const frequencyPenalty = optionalNumber(body, 'frequency_penalty');
  const presencePenalty = optionalNumber(body, 'presence_penalty');
  const repeatPenalty: false | RepeatPenalty =
    frequencyPenalty || presencePenalty ? { penalty: 1, frequencyPenalty: frequencyPenalty ?? 0, presencePenalty: presencePenalty ?? 0 } : false;

  let format: CompletionRequest['format'] = { kind: 'text' };
  const responseFormat = body.response_format;
  if (responseFormat !== undefined && responseFormat !== null) {
    if (!isRecord(responseFormat)) throw new HttpError(400, 'response_format must be an object');
    if (responseFormat.type === 'json_schema') {
      const jsonSchema = responseFormat.json_schema;
      if (!isRecord(jsonSchema) || !isRecord(jsonSchema.schema)) throw new HttpError(400, 'response_format.json_schema.schema must be an object');
      format = { kind: 'schema', schema: jsonSchema.schema };
    } else if (responseFormat.type === 'json_object') {
      format = { kind: 'json' };
    } else if (responseFormat.type !== 'text') {
      throw new HttpError(400, 'response_format.type must be text, json_object or json_schema');
    }
  }
  return {
    model: typeof body.model === 'string' && body.model !== '' ? body.model : defaultModel,
    history,
    temperature,
    maxTokens: requestedMax ?? options.maxTokens,
    seed: optionalNumber(body, 'seed'),
    repeatPenalty,
    format,
  };
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `the body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The running server: its URL and a way to stop it. */
export interface LocalLlmServer {
  /** `http://127.0.0.1:PORT`, without `/v1`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Loads the model and listens; resolves once it accepts requests. */
export async function startLocalLlmServer(options: ServerOptions): Promise<LocalLlmServer> {
  if (!fs.existsSync(NODE_LLAMA_CPP)) throw new Error(`node-llama-cpp is not installed in .cache/local-llm/node: run bash scripts/eval/ensure-local-llm.sh`);
  if (!fs.existsSync(options.modelPath)) throw new Error(`no model at ${options.modelPath}: run bash scripts/eval/ensure-local-llm.sh`);
  const started = performance.now();
  // A file URL, imported at run time: the package is outside node_modules, and it is ESM only.
  const { getLlama, LlamaChat } = (await import(pathToFileURL(NODE_LLAMA_CPP).href)) as NodeLlamaCpp;
  // build: 'never': the prebuilt binary or an error, never minutes of compiling llama.cpp.
  const llama = await getLlama({ build: 'never', gpu: false, progressLogs: false, logLevel: 'error' });
  const model = await llama.loadModel({ modelPath: options.modelPath });
  const context = await model.createContext({ contextSize: Math.min(options.contextSize, model.trainContextSize), threads: options.threads });
  const sequence = context.getSequence();
  const chat = new LlamaChat({ contextSequence: sequence, autoDisposeSequence: false });
  const modelName = path.basename(options.modelPath, '.gguf').toLowerCase();
  log(
    `${path.basename(options.modelPath)} loaded in ${Math.round(performance.now() - started)} ms: llama.cpp ${llama.buildType} CPU binary, ` +
      `${options.threads} thread(s) of ${llama.cpuMathCores} cores, context ${context.contextSize} tokens, chat wrapper ${chat.chatWrapper.wrapperName}`,
  );

  const grammars = new Map<string, Promise<LlamaGrammar>>();
  const grammarFor = (format: CompletionRequest['format']): Promise<LlamaGrammar> | undefined => {
    if (format.kind === 'text') return undefined;
    if (format.kind === 'json') return llama.getGrammarFor('json');
    const key = JSON.stringify(format.schema);
    let grammar = grammars.get(key);
    if (!grammar) {
      const notes: string[] = [];
      const schema = grammarSchema(format.schema, notes) as object;
      if (notes.length > 0) log(`schema adapted to node-llama-cpp's grammar converter: ${notes.join('; ')}`);
      grammar = llama.createGrammarForJsonSchema(schema).catch((error: unknown) => {
        grammars.delete(key);
        throw new HttpError(400, `response_format.json_schema.schema cannot be made a grammar: ${error instanceof Error ? error.message : String(error)}`);
      });
      grammars.set(key, grammar);
    }
    return grammar;
  };

  let queue: Promise<unknown> = Promise.resolve();
  const complete = async (request: CompletionRequest, signal: AbortSignal) => {
    const grammar = await grammarFor(request.format);
    const promptTokens = chat.chatWrapper.generateContextState({ chatHistory: request.history }).contextText.tokenize(model.tokenizer).length;
    const maxTokens = Math.min(request.maxTokens, context.contextSize - promptTokens);
    if (maxTokens < 1) throw new HttpError(400, `the prompt is ${promptTokens} tokens, the context ${context.contextSize}`);
    let completionTokens = 0;
    const begun = performance.now();
    const evaluatedBefore = sequence.tokenMeter.usedInputTokens;
    const result = await chat.generateResponse(request.history, {
      signal,
      maxTokens,
      temperature: request.temperature,
      seed: request.seed,
      repeatPenalty: request.repeatPenalty,
      ...(grammar ? { grammar } : {}),
      onToken: (tokens) => (completionTokens += tokens.length),
    });
    const ms = Math.round(performance.now() - begun);
    const evaluated = sequence.tokenMeter.usedInputTokens - evaluatedBefore;
    const finishReason = result.metadata.stopReason === 'maxTokens' ? 'length' : 'stop';
    const content = grammar ? result.response.trim() : result.response;
    log(`completion: ${promptTokens} prompt tokens (${evaluated} evaluated), ${completionTokens} completion tokens, ${ms} ms, ${finishReason}`);
    if (options.transcript) {
      fs.appendFileSync(
        options.transcript,
        `${JSON.stringify({ time: new Date().toISOString(), ms, prompt_tokens: promptTokens, evaluated_tokens: evaluated, completion_tokens: completionTokens, finish_reason: finishReason, content })}\n`,
      );
    }
    return {
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: finishReason }],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    };
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/v1/models') {
      send(res, 200, { object: 'list', data: [{ id: modelName, object: 'model', created: 0, owned_by: 'local' }] });
      return;
    }
    if (url.pathname !== '/v1/chat/completions') throw new HttpError(404, `no route ${req.method ?? ''} ${url.pathname}`, 'not_found');
    if (req.method !== 'POST') throw new HttpError(405, 'use POST');
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw new HttpError(400, 'the body is not JSON');
    }
    const request = parseRequest(body, options, modelName);
    const aborted = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) aborted.abort();
    });
    const run = queue.then(() => (aborted.signal.aborted ? undefined : complete(request, aborted.signal)));
    queue = run.catch(() => undefined);
    const completion = await run;
    if (completion && !aborted.signal.aborted) send(res, 200, completion);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (status === 500 && !res.destroyed) log(`error: ${error instanceof Error ? (error.stack ?? message) : message}`);
      if (!res.headersSent && !res.destroyed)
        send(res, status, { error: { message, type: error instanceof HttpError ? error.type : 'server_error', code: null } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      await queue;
      await llama.dispose();
    },
  };
}

function positiveInteger(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
  return n;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      threads: { type: 'string' },
      'context-size': { type: 'string' },
      'max-tokens': { type: 'string' },
      transcript: { type: 'string' },
    },
  });
  const [portArg = '0'] = positionals;
  const port = Number(portArg);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`the port must be 0..65535, got ${portArg}`);
  const server = await startLocalLlmServer({
    port,
    modelPath: path.resolve(values.model ?? DEFAULT_MODEL),
    threads: positiveInteger(values.threads, '--threads', 1),
    contextSize: positiveInteger(values['context-size'], '--context-size', 4096),
    maxTokens: positiveInteger(values['max-tokens'], '--max-tokens', 512),
    transcript: values.transcript,
  });
  process.stdout.write(`${server.url}\n`);
  log(`listening on ${server.url} (SCORING_JUDGE_URL=${server.url}/v1)`);
  const stop = () => {
    log('stopping');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    log(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
