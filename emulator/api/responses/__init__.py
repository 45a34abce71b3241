"""The Responses API: create (plain, streamed, in the background), retrieve, delete, input items, cancel,
input-token counts; stored responses in their own table."""
