"""The Gemini agent: tool registry, prompts and the function-calling loop."""
