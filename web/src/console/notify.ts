// Sound and browser notifications for new chats and messages. No audio file: a short tone.

let audio: AudioContext | null = null;

export function beep(): void {
  try {
    audio ??= new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.08, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.25);
  } catch {
    /* no audio device */
  }
}

export function notify(title: string, body: string): void {
  beep();
  if (!("Notification" in window) || !document.hidden) return;
  if (Notification.permission === "granted") new Notification(title, { body });
}

export function askPermission(): void {
  if ("Notification" in window && Notification.permission === "default") void Notification.requestPermission();
}
