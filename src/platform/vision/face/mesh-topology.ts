/**
 * Which of the face mesh's 468 landmarks are which: indices of MediaPipe's canonical face mesh
 * topology (mediapipe/modules/face_geometry/data/canonical_face_model_uv_visualization.png), the
 * same indices the published face_landmark model outputs.
 *
 * Sources: the contours of mediapipe/python/solutions/face_mesh_connections.py (FACEMESH_LIPS,
 * FACEMESH_LEFT_EYE, FACEMESH_RIGHT_EYE, FACEMESH_LEFT_EYEBROW, FACEMESH_RIGHT_EYEBROW,
 * FACEMESH_FACE_OVAL) and the named keypoints of tfjs-models face-landmarks-detection
 * (mediapipe-facemesh/keypoints.ts: midwayBetweenEyes 168, noseTip 1, noseBottom 2,
 * noseRightCorner 98, noseLeftCorner 327). "Right" and "left" are the subject's: the right eye is
 * on the image's left for a frontal face.
 */
export const MESH_LANDMARK_COUNT = 468;

/** Landmark groups reported as typed landmarks (emotion.proto `Landmark.type`), contour order. */
export const MESH_REGIONS = {
  /** FACEMESH_RIGHT_EYE: lid contour from the outer corner 33, lower lid to the inner corner 133, upper lid back. */
  right_eye: [33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246],
  /** FACEMESH_LEFT_EYE: outer corner 263, lower lid to the inner corner 362, upper lid back. */
  left_eye: [263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466],
  /** FACEMESH_RIGHT_EYEBROW: upper edge 70..107, then lower edge 46..55. */
  right_eyebrow: [70, 63, 105, 66, 107, 46, 53, 52, 65, 55],
  /** FACEMESH_LEFT_EYEBROW: upper edge 300..336, then lower edge 276..285. */
  left_eyebrow: [300, 293, 334, 296, 336, 276, 283, 282, 295, 285],
  /** Bridge (168 between the eyes, 6, 197, 195, 5, 4), tip 1, base (98, 97, 2, 326, 327). */
  nose: [168, 6, 197, 195, 5, 4, 1, 98, 97, 2, 326, 327],
  /** FACEMESH_LIPS: outer contour from the right corner 61 over the upper lip, then the inner contour. */
  mouth: [
    61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146, 78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402,
    317, 14, 87, 178, 88, 95,
  ],
  /** Lower half of FACEMESH_FACE_OVAL, from the left cheek 454 over the chin 152 to the right cheek 234. */
  jaw: [454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234],
} as const satisfies Record<string, readonly number[]>;

export type MeshRegion = keyof typeof MESH_REGIONS;

/**
 * The six points of each eye in Soukupova and Cech's eye aspect ratio ("Real-Time Eye Blink
 * Detection using Facial Landmarks", CVWW 2016, eq. 1): p1 and p4 the corners, p2/p3 on the upper
 * lid, p6/p5 on the lower lid below them, as [p1, p2, p3, p4, p5, p6]. The paper's points are the
 * 68-point iBUG annotation's 37..42 (and 43..48); these are the mesh points at the same places:
 * corners 33/133 and 362/263, lid pairs 160-144 and 158-153 (right), 385-380 and 387-373 (left).
 */
export const EAR_POINTS = {
  right: [33, 160, 158, 133, 153, 144],
  left: [362, 385, 387, 263, 373, 380],
} as const;
