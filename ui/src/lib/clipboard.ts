import { toast } from 'svelte-sonner';

/** Copies to the clipboard and says so; falls back to a message when the browser refuses. */
export async function copyText(value: string, what: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(value);
    toast.success(`${what} copied`);
  } catch {
    toast.error(`Could not copy the ${what.toLowerCase()}: select it and copy by hand.`);
  }
}
