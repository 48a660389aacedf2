/** One reply of the assistant: a text and, where the channel can, buttons (ids and titles). */
export interface Reply {
  text: string;
  buttons?: { id: string; title: string }[];
}
