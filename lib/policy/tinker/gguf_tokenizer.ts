/**
 * The base model's tokenizer for the Tinker service (which works in token ids), read
 * from a GGUF file of that model in node-llama-cpp's vocabulary-only mode: no weights
 * are loaded, so even the tokenizer of a large model is cheap to open.
 */
import type { Tokenizer } from "./policy.ts";

const NODE_LLAMA_CPP = "npm:node-llama-cpp@3.21.1";
type NodeLlamaCpp = typeof import("npm:node-llama-cpp@3.21.1");
type Token = import("npm:node-llama-cpp@3.21.1").Token;

export async function loadGgufTokenizer(path: string): Promise<Tokenizer> {
  try {
    if (!Deno.statSync(path).isFile) throw new Error("not a file");
  } catch (e) {
    throw new Error(`cannot read the tokenizer GGUF ${path}: ${(e as Error).message}`);
  }
  const { getLlama, LlamaLogLevel } = await import(NODE_LLAMA_CPP) as NodeLlamaCpp;
  // build: "never": use the prebuilt binary or fail, never compile or download at run time.
  const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: path, vocabOnly: true });
  return {
    encode: (text) => model.tokenize(text) as unknown as number[],
    decode: (tokens) => model.detokenize(tokens as unknown as Token[]),
  };
}
