/** Meta-Llama-3-8B-Instruct's chat template, as in its tokenizer_config.json (Skywork-Reward-V2-Llama uses this family). */
export const llama3ChatTemplate = String.raw`{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}`

/** The Llama-3 BOS token. */
export const llama3Bos = '<|begin_of_text|>'
