"""Which voice notes and images the brain accepts, and the friendly refusals for the rest."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.services.language import english

AUDIO_TYPES = frozenset({"audio/ogg", "audio/mpeg", "audio/mp4", "audio/aac", "audio/wav"})
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
MAX_AUDIO_BYTES = 5 * 1024 * 1024
MAX_IMAGE_BYTES = 5 * 1024 * 1024

TOO_BIG = "Waduh, filenya kegedean kak 🙏 Kirim yang lebih pendek/kecil ya, atau ketik aja."
UNSUPPORTED = "Maaf kak, aku cuma bisa baca teks, voice note, dan gambar (JPG/PNG) 🙏"
DOWNLOAD_FAILED = "Maaf kak, filenya gagal kebuka di sini 🙏 Coba kirim ulang ya."
NO_BRAIN = "Maaf kak, voice note/gambar belum bisa aku proses sekarang 🙏 Ketik aja ya."
ENGLISH = {
    TOO_BIG: "That file is too big 🙏 Please send a shorter/smaller one, or just type it.",
    UNSUPPORTED: "Sorry, I can only read text, voice notes and pictures (JPG/PNG) 🙏",
    DOWNLOAD_FAILED: "Sorry, that file didn't open here 🙏 Please send it again.",
    NO_BRAIN: "Sorry, I can't handle voice notes/pictures right now 🙏 Please type it.",
}


@dataclass(frozen=True, kw_only=True)
class Media:
    """A downloaded voice note or image; `mime` may carry parameters (`; codecs=opus`)."""

    data: bytes = field(repr=False)
    mime: str

    @property
    def base_mime(self) -> str:
        """The mime type without parameters, lowercase (what Gemini is told)."""
        return self.mime.split(";")[0].strip().lower()

    @property
    def is_audio(self) -> bool:
        """True for voice notes and other audio."""
        return self.base_mime in AUDIO_TYPES


def media_problem(media: Media | None) -> str | None:
    """The customer-facing reason a medium cannot be used, or None when it is fine."""
    if media is None or not media.data:
        return in_language(DOWNLOAD_FAILED)
    if media.base_mime in AUDIO_TYPES:
        return in_language(TOO_BIG) if len(media.data) > MAX_AUDIO_BYTES else None
    if media.base_mime in IMAGE_TYPES:
        return in_language(TOO_BIG) if len(media.data) > MAX_IMAGE_BYTES else None
    return in_language(UNSUPPORTED)


def in_language(text: str) -> str:
    """One of the refusals above in the turn's language."""
    return ENGLISH.get(text, text) if english() else text
