/**
 * node-llama-cpp, loaded on first use only. The package brings about 1 GB of prebuilt llama.cpp
 * binaries (CUDA, Vulkan, ARM), and Deno installs every npm package its lockfile names, so the
 * package must stay out of deno.lock: no static or type import of it anywhere, and the specifier
 * is built at run time so that no module graph sees it. A run with the built-in policy never
 * downloads it; the first llama.cpp policy or GGUF tokenizer does.
 */

/** The part of node-llama-cpp's API this toolkit uses (its own types would pull it into the lockfile). */
export interface LlamaModel {
  readonly trainContextSize: number;
  readonly tokens: { readonly shouldPrependBosToken: boolean; readonly bos: number | null };
  tokenize(text: string): number[];
  detokenize(tokens: readonly number[]): string;
  isEogToken(token: number): boolean;
  createContext(options: { contextSize: number; sequences: number; threads: number }): Promise<LlamaContext>;
  dispose(): Promise<void>;
}

export interface LlamaSequence {
  readonly nextTokenIndex: number;
  adaptStateToTokens(tokens: number[], allowShift: boolean): Promise<void>;
  evaluateWithMetadata(
    tokens: number[],
    metadata: { confidence: true },
    options: { temperature: number; seed: number },
  ): AsyncIterable<{ token: number; confidence: number }>;
  dispose(): void;
}

export interface LlamaContext {
  getSequence(): LlamaSequence;
  dispose(): Promise<void>;
}

interface Llama {
  loadModel(options: { modelPath: string; vocabOnly?: boolean }): Promise<LlamaModel>;
}

interface NodeLlamaCpp {
  getLlama(options: { gpu: false; build: "never"; logLevel: unknown }): Promise<Llama>;
  LlamaLogLevel: { error: unknown };
}

/** Pinned: newer releases list platform builds the registry does not serve, so installs fail. */
const PACKAGE = ["node-llama-cpp", "3.21.1"];

/** llama.cpp on CPU from its prebuilt binary; never compiled or downloaded at run time. */
export async function loadLlama(): Promise<Llama> {
  const specifier = `npm:${PACKAGE.join("@")}`;
  const { getLlama, LlamaLogLevel } = await import(specifier) as NodeLlamaCpp;
  return await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
}
