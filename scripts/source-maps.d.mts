/** Types of scripts/source-maps.mjs. */
export interface SourceMap {
  version: number;
  sources: string[];
  names: string[];
  mappings: string;
  sourcesContent?: string[] | undefined;
}
export declare function decodeSegment(segment: string): number[];
export declare function encodeSegment(values: number[]): string;
export declare function filterSourceMap(
  map: SourceMap,
  keep: (source: string) => boolean,
): SourceMap;
export declare function slimSourceMap(file: string): void;
