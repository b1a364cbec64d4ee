// The element tree both XML readers build (parse.ts and the quick reader in fast-parse.ts).

/** An element with its line number, so every problem can be reported as file:line. */
export interface XmlElement {
  name: string;
  /** Local name without a namespace prefix (POX requests may use `a:EMailAddress`). */
  localName: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated direct text content, entities decoded, trimmed. */
  text: string;
  line: number;
}
