/**
 * The base model's tokenizer for the Tinker service (which works in token ids), read
 * from a GGUF file of that model in node-llama-cpp's vocabulary-only mode: no weights
 * are loaded, so even the tokenizer of a large model is cheap to open.
 */
import { loadLlama } from "../node_llama_cpp.ts";
import type { Tokenizer } from "./policy.ts";

export async function loadGgufTokenizer(path: string): Promise<Tokenizer> {
  try {
    if (!Deno.statSync(path).isFile) throw new Error("not a file");
  } catch (e) {
    throw new Error(`cannot read the tokenizer GGUF ${path}: ${(e as Error).message}`);
  }
  const llama = await loadLlama();
  const model = await llama.loadModel({ modelPath: path, vocabOnly: true });
  return {
    encode: (text) => model.tokenize(text),
    decode: (tokens) => model.detokenize(tokens),
  };
}
