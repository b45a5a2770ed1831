/** The dashboard page of a model: "openai/gpt-4o" → "/models/openai/gpt-4o" (each segment encoded). */
export function modelPath(id: string): string {
  return "/models/" + id.split("/").map(encodeURIComponent).join("/");
}

/** The playground with this model picked. */
export function playgroundPath(id: string): string {
  return "/playground?model=" + encodeURIComponent(id);
}
