// placeholder entry; the UI follows
export {};
