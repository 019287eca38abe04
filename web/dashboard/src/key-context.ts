import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/** Bumped when a key is entered: every loader runs again with it. */
export const KeyVersion = createContext(0);
export const useKeyVersion = () => useContext(KeyVersion);
