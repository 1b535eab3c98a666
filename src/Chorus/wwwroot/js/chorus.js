// Chorus staff app helpers (keyboard shortcuts are wired from Blazor through these).
window.chorus = window.chorus || {};
