"""LTI 1.3: Hocso as a tool launched from the province's Moodle (or any LTI 1.3 platform).

Off unless LTI_PLATFORMS_FILE names the registered platforms. pylti1p3 checks each launch
(state, nonce, the platform's signature, deployment); this package maps it to a course and a
learner, signs her in like a local login, and sends her score back when she completes the course
(Assignment and Grade Services), from an outbox swept by the job worker.
"""
