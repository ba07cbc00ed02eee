/**
 * The judge prompt of the official `weighted_alpaca_eval_gpt4_turbo` annotator, verbatim from
 * tatsu-lab/alpaca_eval @ cd543a149df89434d8a54582c0151c0b945c3d20
 * `src/alpaca_eval/evaluators_configs/alpaca_eval_clf_gpt4_turbo/alpaca_eval_clf.txt`
 * (Apache-2.0, sha256 784227e6dc2832fc08c43d2c8ea3a308e7523780187a1aaad2f85e30bac85f62).
 *
 * ChatML text with three placeholders: `{instruction}`, `{output_1}`, `{output_2}`.
 */
export const ALPACA_EVAL_CLF_TEMPLATE = `<|im_start|>system
You are a highly efficient assistant, who evaluates and selects the best large language model (LLMs) based on the quality of their responses to a given instruction. This process will be used to create a leaderboard reflecting the most accurate and human-preferred answers.
<|im_end|>
<|im_start|>user
I require a leaderboard for various large language models. I'll provide you with prompts given to these models and their corresponding outputs. Your task is to assess these responses, and select the model that produces the best output from a human perspective.

## Instruction

{
    "instruction": """{instruction}""",
}

## Model Outputs

Here are the unordered outputs from the models. Each output is associated with a specific model, identified by a unique model identifier.

{
    {
        "model_identifier": "m",
        "output": """{output_1}"""
    },
    {
        "model_identifier": "M",
        "output": """{output_2}"""
    }
}

## Task

Evaluate the models based on the quality and relevance of their outputs, and select the model that generated the best output. Answer by providing the model identifier of the best model. We will use your output as the name of the best model, so make sure your output only contains one of the following model identifiers and nothing else (no quotes, no spaces, no new lines, ...): m or M.

## Best Model Identifier
<|im_end|>`;

/** The judge call settings of the official annotator (`configs.yaml`). */
export const WEIGHTED_ALPACA_EVAL_GPT4_TURBO = {
  annotator: 'weighted_alpaca_eval_gpt4_turbo',
  judgeModel: 'gpt-4-1106-preview',
  maxTokens: 1,
  temperature: 1,
  topLogprobs: 5,
  numeratorToken: 'm',
  denominatorTokens: ['m', 'M'] as const,
  baselineGenerator: 'gpt4_1106_preview',
} as const;
