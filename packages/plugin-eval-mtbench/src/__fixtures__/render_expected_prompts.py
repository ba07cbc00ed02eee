"""Renders the MT-Bench single-grading judge prompts exactly as FastChat's llm_judge does, for the
conformance test of the TypeScript renderer.

It follows fastchat/llm_judge/common.py `run_judge_single` (lm-sys/FastChat @ 0e6d3e4b):
the prompt template is filled with Python `str.format`; turn 1 with question/answer (plus
ref_answer_1 for math, reasoning and coding), turn 2 with question_1/2, answer_1/2 (plus
ref_answer_1/2); the judge receives [system_prompt, user_prompt]. Prompt choice follows
gen_judgment.py: NEED_REF_CATS = math, reasoning, coding use the "math" judges.

Run from this folder: python3 render_expected_prompts.py  (writes expected_judge_prompts.json)
"""
import glob
import hashlib
import json
import os

NEED_REF_CATS = ["math", "reasoning", "coding", "arena-hard-200"]


def load_jsonl(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def main():
    prompts = {p["name"]: p for p in load_jsonl("judge_prompts.jsonl")}
    questions = load_jsonl("question.jsonl")
    references = {r["question_id"]: r for r in load_jsonl("reference_answer/gpt-4.jsonl")}
    rows = []
    for path in sorted(glob.glob("model_answer/*.jsonl")):
        answers = {a["question_id"]: a for a in load_jsonl(path)}
        model = os.path.basename(path)[: -len(".jsonl")]
        for question in questions:
            answer = answers[question["question_id"]]
            needs_ref = question["category"] in NEED_REF_CATS
            ref = references[question["question_id"]] if needs_ref else None
            for multi_turn in (False, True):
                name = ("single-math-v1" if needs_ref else "single-v1") + ("-multi-turn" if multi_turn else "")
                template = prompts[name]
                kwargs = {}
                if ref is not None:
                    kwargs["ref_answer_1"] = ref["choices"][0]["turns"][0]
                    if multi_turn:
                        kwargs["ref_answer_2"] = ref["choices"][0]["turns"][1]
                if multi_turn:
                    user_prompt = template["prompt_template"].format(
                        question_1=question["turns"][0],
                        question_2=question["turns"][1],
                        answer_1=answer["choices"][0]["turns"][0],
                        answer_2=answer["choices"][0]["turns"][1],
                        **kwargs,
                    )
                else:
                    user_prompt = template["prompt_template"].format(
                        question=question["turns"][0],
                        answer=answer["choices"][0]["turns"][0],
                        **kwargs,
                    )
                rows.append(
                    {
                        "model": model,
                        "question_id": question["question_id"],
                        "turn": 2 if multi_turn else 1,
                        "prompt_name": name,
                        "system_sha256": sha256(template["system_prompt"]),
                        "user_sha256": sha256(user_prompt),
                        "user_length": len(user_prompt),
                    }
                )
    with open("expected_judge_prompts.json", "w", encoding="utf-8") as handle:
        handle.write("[\n" + ",\n".join(json.dumps(row, separators=(",", ":")) for row in rows) + "\n]\n")
    print(f"{len(rows)} prompts")


if __name__ == "__main__":
    main()
